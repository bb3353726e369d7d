// Send Django's CSRF token with every htmx request (the cookie is HttpOnly,
// so the token is read from the page's meta-less forms through the body attribute).
document.body.addEventListener("htmx:configRequest", function (event) {
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) { event.detail.headers["X-CSRFToken"] = input.value; }
});
