from django import template
from django.http import QueryDict
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def query_with(query: str, **changes) -> str:
    """The current query string with some parameters replaced."""
    params = QueryDict(query, mutable=True)
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def sort_toggle(column, current: str) -> str:
    key = column.order_by
    return f"-{key}" if current == key else key


@register.simple_tag
def sort_arrow(column, current: str) -> str:
    if current == column.order_by:
        return mark_safe(" ▲")
    if current == f"-{column.order_by}":
        return mark_safe(" ▼")
    return ""


@register.filter
def index(sequence, position: int):
    return sequence[position]


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
