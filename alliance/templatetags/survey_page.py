from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template, or None (for answers and errors keyed by item code)."""
    return mapping.get(key) if mapping else None
