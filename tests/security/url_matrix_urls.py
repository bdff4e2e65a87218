"""Every URL pattern of the root URLconf, for the URL permission matrix (tests/security/test_url_matrix.py).

`url_patterns()` walks `django.urls.get_resolver()` recursively and names each pattern the way `reverse()`
does: "namespace:name" (nested namespaces joined with ":"); a pattern without a name is keyed by its
full route string, so it can't slip past the matrix either. `dummy_url(entry)` builds a concrete path
for any pattern with placeholder arguments (a middleware or `login_required` answers before the view
looks the object up, so the placeholders are never read)."""
import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

# Django's admin has its own permission system (is_staff, per-model permissions) and is not one of our
# roles' pages: it is kept out of the matrix, and test_url_matrix_django_admin_refuses_non_staff checks
# that nobody but staff gets past its log-in. Static and media files are not in the URLconf at all
# (DEBUG is off; MEDIA_ROOT is never served by URL, see docs/architecture.md "Private files").
EXCLUDED_PREFIXES = ("django-admin/",)


@dataclass(frozen=True)
class UrlEntry:
    key: str  # "namespace:name", or the route string of an unnamed pattern
    route: str  # the full route from the site root, e.g. "units/<int:pk>/edit/"
    named: bool
    converters: tuple[tuple[str, str], ...]  # (argument name, converter or regex) in order

    @property
    def excluded(self) -> bool:
        return self.route.startswith(EXCLUDED_PREFIXES)


def _route_text(pattern) -> str:
    return str(pattern.pattern) if not isinstance(pattern.pattern, RegexPattern) else pattern.pattern._regex


def _converters(route: str) -> tuple[tuple[str, str], ...]:
    found = [(name, conv or "str") for conv, name in re.findall(r"(?<!\?P)<(?:(\w+):)?(\w+)>", route)]
    found += [(name, regex) for name, regex in re.findall(r"\(\?P<(\w+)>([^)]*)\)", route)]
    return tuple(found)


def _walk(resolver: URLResolver, prefix: str, namespace: str):
    for pattern in resolver.url_patterns:
        route = prefix + _route_text(pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = route
            yield UrlEntry(key=key, route=route, named=bool(pattern.name), converters=_converters(route))


def url_patterns() -> list[UrlEntry]:
    """Every pattern of the root URLconf, in URLconf order (several may share a name)."""
    return list(_walk(get_resolver(), "", ""))


def url_keys(*, include_excluded: bool = False) -> set[str]:
    return {entry.key for entry in url_patterns() if include_excluded or not entry.excluded}


def _placeholder(converter: str) -> str:
    if converter in ("int",):
        return "987654"
    if converter == "path":
        return "x/y"
    if converter == "uuid":
        return "00000000-0000-0000-0000-000000000000"
    counts = re.search(r"\{(\d+)\}", converter)
    # A regex group such as [A-Za-z0-9]{8}: as many letters as it wants.
    return "Z" * int(counts.group(1)) if counts else "zz"


def dummy_url(entry: UrlEntry) -> str:
    """A path that resolves to the named pattern `entry` with placeholder arguments (ids that exist
    nowhere)."""
    return reverse(entry.key, kwargs={name: _placeholder(conv) for name, conv in entry.converters})
