"""Calendar feeds: which shifts each feed shows (service), how they are served (api, cache), and
the page that helps people subscribe (pages)."""
