"""Rules in plain French, for the public page of a scheme (pure)."""

from decimal import Decimal

from levier.core.formats import format_euros, format_number

from .enums import ComponentKind
from .facts import FACTS, label
from .rules import DEFAULT_PMI_SECTIONS, OP_WORDS


def describe_condition(condition: dict, definitions: dict) -> dict:
    """{"text": …, "children": [...]} tree."""
    if "all" in condition:
        return {"text": "Toutes les conditions suivantes :", "children": [describe_condition(c, definitions) for c in condition["all"]]}
    if "any" in condition:
        return {"text": "L'une des conditions suivantes :", "children": [describe_condition(c, definitions) for c in condition["any"]]}
    if "not" in condition:
        return {"text": "Ne pas remplir :", "children": [describe_condition(condition["not"], definitions)]}
    if condition.get("label"):
        return {"text": condition["label"], "children": []}
    if "fact" in condition:
        value = condition["value"]
        shown = ", ".join(map(str, value)) if isinstance(value, list) else (
            format_euros(Decimal(str(value))) if condition["fact"].endswith("_eur") else
            format_number(Decimal(str(value))) if FACTS[condition["fact"]][0] in ("decimal", "integer") else str(value))
        return {"text": f"{label(condition['fact'])[:1].upper()}{label(condition['fact'])[1:]} : {OP_WORDS[condition['op']]} {shown}", "children": []}
    if "territory" in condition:
        target = condition["territory"]
        who = "Établissement" if condition.get("of", "establishment") == "establishment" else "Résidence"
        return {"text": f"{who} situé(e) dans : {target.get('name') or target['code']}", "children": []}
    if "size" in condition:
        if condition["size"] == "pme":
            return {"text": "Être une PME (moins de 250 salariés, chiffre d'affaires ≤ 50 M€ ou bilan ≤ 43 M€)", "children": []}
        sections = ", ".join(definitions.get("pmi_sections", DEFAULT_PMI_SECTIONS))
        return {"text": f"Être une PMI : PME de section NAF {sections}", "children": []}
    if "naf_section_in" in condition:
        return {"text": f"Section NAF parmi {', '.join(condition['naf_section_in'])}", "children": []}
    if "qpv" in condition:
        return {"text": "Établissement en QPV" if condition["qpv"] == "establishment" else "Habiter un QPV", "children": []}
    return {"text": "Condition", "children": []}


def describe_component(component: dict, labels: dict | None = None) -> str:
    name = component.get("label") or ComponentKind(component["kind"]).label
    if "fixed" in component:
        unit = " jours" if component["kind"] == ComponentKind.CONSULTING_DAYS else " €"
        text = f"{name} : {format_number(Decimal(component['fixed']))}{unit}"
    elif "per_unit" in component:
        text = f"{name} : {format_euros(Decimal(component['per_unit']))} par {component.get('units_label', 'unité')}"
        if "fraction" in component:
            f = component["fraction"]
            text += f", pour au plus {f['numerator']}/{f['denominator']} des {component.get('units_label', 'unité')}s (arrondi à l'inférieur)"
    else:
        share = Decimal(component.get("share", "1"))
        base = label(component["base"])
        text = f"{name} : {base}" if share == 1 else f"{name} : {format_number(share * 100)} % du {base}"
    if "cap" in component:
        text += f", plafonné à {format_euros(Decimal(component['cap']))}"
    if component.get("requires"):
        text += " ; seulement avec : " + ", ".join((labels or {}).get(k, k).lower() for k in component["requires"])
    if component.get("condition", {}).get("label"):
        text += f" ; {component['condition']['label']}"
    if component.get("terms"):
        text += f" ({component['terms']})"
    return text
