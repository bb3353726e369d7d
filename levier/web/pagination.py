"""What the shared pagination template (levier/pagination.html) needs, from a Paginator page."""


def pages_of(page, query: str = "") -> dict | None:
    """None when everything fits on one page; `query` is the rest of the query string, encoded."""
    if not page.has_other_pages():
        return None
    return {
        "current": page.number, "last": page.paginator.num_pages, "query": query,
        "previous": page.previous_page_number() if page.has_previous() else None,
        "next": page.next_page_number() if page.has_next() else None,
    }
