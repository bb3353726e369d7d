"""The API's JSON parser: every endpoint reads an object, so a body that is a number, a string, a list or
null is refused here, once, with the shared error body (field "body"), before any view reads it."""

from rest_framework.parsers import JSONParser

from levier.core.errors import InvalidInput

NOT_AN_OBJECT = "Le corps de la requête doit être un objet JSON ({…}), pas une valeur isolée ni une liste."


class ObjectJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise InvalidInput.single("body", NOT_AN_OBJECT)
        return data
