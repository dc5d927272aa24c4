"""Request parsers for every API endpoint (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's, except that JSON nested deeper than Python can read ("[" * 100000) is the client's mistake, a
    400, rather than a RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
