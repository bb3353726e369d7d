"""A JSON renderer for large responses (the simulator returns thousands of results):
orjson encodes in C what DRF's encoder would do in Python, with DRF's own encoder as the
fallback for the types orjson leaves to it (Decimal, lazy strings, dates and times, so that
their text stays what the rest of the API produces)."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback, option=orjson.OPT_PASSTHROUGH_DATETIME)
