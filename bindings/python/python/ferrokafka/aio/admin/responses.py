"""The protocol response objects aiokafka's admin calls return (``CreateTopicsResponse_v3``...).

Owns ``Response``: a value with aiokafka's ``Struct`` surface (the fields as attributes, arrays
of structs as lists of tuples, ``to_object()`` as nested dicts, ``get_item``, ``==``, and the
``Name(field=value, ...)`` repr), and one class per response aiokafka 0.14 negotiates with a
current broker, with that version's field names. The values come from the core's admin calls.
"""

# A field is (name, None) for a scalar, (name, [fields]) for an array of structs, or
# (name, "array") for an array of scalars; "bytes" marks a bytes scalar (its repr is cut at 100).


def _repr_value(kind, value):
    if isinstance(kind, list):
        if value is None:
            return "NULL"
        return "[" + ", ".join(_repr_struct(kind, v) for v in value) + "]"
    if kind == "array":
        return "NULL" if value is None else "[" + ", ".join(repr(v) for v in value) + "]"
    if kind == "bytes" and value is not None and len(value) > 100:
        return repr(value[:100] + b"...")
    return repr(value)


def _repr_struct(fields, values):
    return "(" + ", ".join("%s=%s" % (n, _repr_value(k, v)) for (n, k), v in zip(fields, values)) + ")"


def _to_object(fields, values):
    out = {}
    for (name, kind), v in zip(fields, values):
        out[name] = [_to_object(kind, x) for x in v] if isinstance(kind, list) else v
    return out


class Response:
    """aiokafka's protocol ``Struct`` surface over plain values (see the module docstring)."""

    FIELDS = ()
    API_KEY = None
    API_VERSION = None

    def __init__(self, *values):
        if len(values) != len(self.FIELDS):
            raise ValueError("Args must be empty or mirror schema")
        for (name, _), v in zip(self.FIELDS, values):
            self.__dict__[name] = v

    def _values(self):
        return [self.__dict__[name] for name, _ in self.FIELDS]

    def get_item(self, name):
        if name not in self.__dict__:
            raise KeyError("%s is not in the schema" % name)
        return self.__dict__[name]

    def to_object(self):
        return _to_object(self.FIELDS, self._values())

    def __repr__(self):
        return type(self).__name__ + _repr_struct(self.FIELDS, self._values())

    def __eq__(self, other):
        if not isinstance(other, Response):
            return NotImplemented
        return type(self) is type(other) and self._values() == other._values()

    __hash__ = object.__hash__


def _response(name, api_key, version, fields):
    return type(name, (Response,), {"FIELDS": tuple(fields), "API_KEY": api_key,
                                    "API_VERSION": version, "__module__": __name__})


_TOPIC_ERROR = [("topic", None), ("error_code", None), ("error_message", None)]

CreateTopicsResponse_v3 = _response("CreateTopicsResponse_v3", 19, 3, [
    ("throttle_time_ms", None), ("topic_errors", _TOPIC_ERROR)])
DeleteTopicsResponse_v3 = _response("DeleteTopicsResponse_v3", 20, 3, [
    ("throttle_time_ms", None), ("topic_error_codes", [("topic", None), ("error_code", None)])])
CreatePartitionsResponse_v1 = _response("CreatePartitionsResponse_v1", 37, 1, [
    ("throttle_time_ms", None), ("topic_errors", _TOPIC_ERROR)])
DescribeConfigsResponse_v2 = _response("DescribeConfigsResponse_v2", 32, 2, [
    ("throttle_time_ms", None),
    ("resources", [("error_code", None), ("error_message", None), ("resource_type", None),
                   ("resource_name", None),
                   ("config_entries", [("config_names", None), ("config_value", None),
                                       ("read_only", None), ("config_source", None),
                                       ("is_sensitive", None),
                                       ("config_synonyms", [("config_name", None),
                                                            ("config_value", None),
                                                            ("config_source", None)])])])])
AlterConfigsResponse_v1 = _response("AlterConfigsResponse_v1", 33, 1, [
    ("throttle_time_ms", None),
    ("resources", [("error_code", None), ("error_message", None), ("resource_type", None),
                   ("resource_name", None)])])
DescribeGroupsResponse_v2 = _response("DescribeGroupsResponse_v2", 15, 2, [
    ("throttle_time_ms", None),
    ("groups", [("error_code", None), ("group", None), ("state", None), ("protocol_type", None),
                ("protocol", None),
                ("members", [("member_id", None), ("client_id", None), ("client_host", None),
                             ("member_metadata", "bytes"), ("member_assignment", "bytes")])])])
