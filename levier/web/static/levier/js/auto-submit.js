// A select marked data-auto-submit sends its form when changed (no inline handler: the
// Content-Security-Policy allows scripts from Levier's own files only).
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("[data-auto-submit]") && field.form) { field.form.submit(); }
});
