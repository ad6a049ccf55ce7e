"""A link of a navigation bar: Python says which links a page shows, one template draws them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    """One link of a bar (templates/includes/_nav_links.html); `key` names what it leads to."""

    label: str
    url: str
    key: str
    active: bool = False
