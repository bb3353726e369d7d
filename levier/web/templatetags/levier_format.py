from django import template

from levier.core import formats

register = template.Library()


@register.filter
def euros(value):
    return formats.format_euros(value)


@register.filter
def nombre(value, decimals=None):
    return formats.format_number(value, decimals if decimals in (None, "") else int(decimals))


@register.filter
def date_fr(value):
    return formats.format_date(value)


@register.filter
def pourcent(value, decimals=0):
    return formats.format_percent(value, int(decimals))
