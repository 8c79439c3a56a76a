"""Shape recording for the field-by-field comparisons (``test_shapes.py``).

Owns ``Recorder``: it runs one API call, records its result as a *shape* (type names, namedtuple
field names, dict keys, and the values that do not depend on time, ids or ports) or the error it
raised (class, MRO names, ``errno``, ``retriable``, message), and ``diff`` to compare two
recordings key by key. Topic and group names embed a per-run prefix that ``Recorder`` replaces
with ``<P>`` so the two libraries' recordings compare equal.
"""
import enum

# Values kept verbatim by ``shape``: everything else becomes its type name.
_KEEP = (bool, type(None))


def _norm(text, prefix):
    return text.replace(prefix, "<P>") if prefix else text


def error_shape(exc, prefix=""):
    """The class, MRO, errno, retriable and message of an exception."""
    cls = type(exc)
    return {
        "error": cls.__name__,
        "mro": [c.__name__ for c in cls.__mro__],
        "errno": getattr(exc, "errno", None),
        "retriable": getattr(exc, "retriable", None),
        "message": _norm(str(exc), prefix),
    }


def shape(obj, prefix=""):
    """Types and structure of ``obj``; see the module docstring."""
    if isinstance(obj, _KEEP):
        return obj
    if isinstance(obj, enum.Enum):
        return "%s.%s" % (type(obj).__name__, obj.name)
    if isinstance(obj, BaseException):
        return error_shape(obj, prefix)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return {"__nt__": type(obj).__name__,
                **{f: shape(getattr(obj, f), prefix) for f in obj._fields}}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": type(obj).__name__,
                    **{_norm(k, prefix): shape(v, prefix) for k, v in sorted(obj.items())}}
        # Keys of another type (TopicPartition...): the key shapes and the value shapes seen.
        return {"__dict__": type(obj).__name__,
                "keys": sorted(_uniq(shape(k, prefix) for k in obj), key=repr),
                "values": sorted(_uniq(shape(v, prefix) for v in obj.values()), key=repr)}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [type(obj).__name__] + _uniq(shape(v, prefix) for v in obj)
    return type(obj).__name__


def _uniq(items):
    out = []
    for it in items:
        if it not in out:
            out.append(it)
    return out


def value(obj, prefix=""):
    """``obj`` itself (deterministic values), with the run prefix normalised in strings."""
    if isinstance(obj, str):
        return _norm(obj, prefix)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return {"__nt__": type(obj).__name__,
                **{f: value(getattr(obj, f), prefix) for f in obj._fields}}
    if isinstance(obj, dict):
        return {repr(value(k, prefix)): value(v, prefix) for k, v in sorted(obj.items(), key=repr)}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [value(v, prefix) for v in obj]
        return sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items
    if isinstance(obj, enum.Enum):
        return "%s.%s" % (type(obj).__name__, obj.name)
    return obj


class Recorder:
    """Collects ``{case: shape or error}`` for one library run."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.out = {}

    def call(self, case, fn, *args, keep=shape, **kwargs):
        """Runs ``fn``; records ``keep(result)`` (``shape`` or ``value``) or the error."""
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - recording errors is the point
            self.out[case] = error_shape(exc, self.prefix)
            return None
        self.out[case] = keep(result, self.prefix)
        return result

    def put(self, case, obj, keep=value):
        self.out[case] = keep(obj, self.prefix)


def diff(a, b, path=""):
    """``[(path, a_value, b_value)]`` where two recordings differ, leaf by leaf."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            p = "%s/%s" % (path, k) if path else str(k)
            if k not in a or k not in b:
                out.append((p, a.get(k, "<missing>"), b.get(k, "<missing>")))
            else:
                out.extend(diff(a[k], b[k], p))
        return out
    return [] if a == b else [(path, a, b)]
