"""A generic check of an answer's JSON against the official SDK's response model.

Each SDK declares the keys of its answers: the Volcengine and Huawei Python models list
them in `attribute_map` (attribute -> JSON key) with the type of each in `swagger_types`
(Volcengine) or `openapi_types` (Huawei); the Alibaba Tea models read them in `from_map`.
`missing_keys` walks an answer recursively along the model class tree and returns every
key the model declares that the answer lacks, as `Model.key` paths with where they sit.
Keys havip leaves out on purpose are passed in `allowed` with the reason, so a test names
each of them (and can check that each still is left out).
"""

import importlib
import re

_PRIMITIVES = {"str", "int", "float", "bool", "object", "date", "datetime", "long", "dict", "file"}


def _swagger_types(cls):
    return getattr(cls, "openapi_types", None) or getattr(cls, "swagger_types", None)


def _resolve(type_name, namespace):
    """The model class a swagger type names, or None for primitives and free objects."""
    type_name = type_name.strip()
    if type_name in _PRIMITIVES or type_name.startswith("dict("):
        return None
    cls = getattr(namespace, type_name, None)
    if cls is None:
        raise AssertionError(f"the SDK declares type {type_name!r}, not found in {namespace.__name__}")
    return cls


def _walk_swagger(data, cls, namespace, path, found):
    if data is None:
        return
    if not isinstance(data, dict):
        raise AssertionError(f"{path}: {cls.__name__} expects an object, got {data!r}")
    types = _swagger_types(cls)
    for attr, key in cls.attribute_map.items():
        if key not in data:
            found.append((f"{cls.__name__}.{key}", path))
            continue
        type_name = types[attr]
        inner = re.fullmatch(r"list\[(.+)\]", type_name)
        if inner:
            element = _resolve(inner.group(1), namespace)
            if element is not None:
                for i, item in enumerate(data[key] or []):
                    _walk_swagger(item, element, namespace, f"{path}.{key}[{i}]", found)
            continue
        nested = _resolve(type_name, namespace)
        if nested is not None:
            _walk_swagger(data[key], nested, namespace, f"{path}.{key}", found)


class _Recorder(dict):
    """A dict that remembers which keys a Tea model's `from_map` asks it for, and hands
    out recorders for the objects inside it, so the whole class tree reports its keys."""

    def __init__(self, data, path, recorders):
        super().__init__(data)
        self.path = path
        self.asked = []
        recorders.append(self)
        self._recorders = recorders

    def __bool__(self):  # `m = m or dict()` must keep the recorder, even when empty
        return True

    def _wrap(self, key, value):
        if isinstance(value, dict):
            return _Recorder(value, f"{self.path}.{key}", self._recorders)
        if isinstance(value, list):
            return [_Recorder(v, f"{self.path}.{key}[{i}]", self._recorders)
                    if isinstance(v, dict) else v for i, v in enumerate(value)]
        return value

    def get(self, key, default=None):
        self.asked.append(key)
        return self._wrap(key, super().get(key, default))

    def __getitem__(self, key):
        self.asked.append(key)
        return self._wrap(key, super().__getitem__(key))

    def __contains__(self, key):
        self.asked.append(key)
        return super().__contains__(key)


def _walk_tea(data, cls, path, found):
    recorders = []
    root = _Recorder(data, path, recorders)
    owners = {}
    originals = {}

    # Note which class reads each recorder: wrap `from_map` of every class of the module.
    module = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
    for name in dir(module):
        model = getattr(module, name)
        if isinstance(model, type) and "from_map" in model.__dict__:
            originals[model] = model.__dict__["from_map"]

            def traced(self, m=None, _orig=originals[model], _model=model):
                if isinstance(m, _Recorder):
                    owners[id(m)] = _model.__name__
                return _orig(self, m)

            setattr(model, "from_map", traced)
    try:
        cls().from_map(root)
    finally:
        for model, orig in originals.items():
            setattr(model, "from_map", orig)
    for r in recorders:
        owner = owners.get(id(r), "?")
        for key in dict.fromkeys(r.asked):
            if not dict.__contains__(r, key):
                found.append((f"{owner}.{key}", r.path))


def missing_keys(data, cls, namespace=None):
    """Every key `cls` (and the models inside it) declares that `data` lacks, as a sorted
    list of (`Model.key`, where) pairs. `namespace` is the module that holds the swagger
    models' classes; Tea models need none."""
    found = []
    if hasattr(cls, "attribute_map"):
        _walk_swagger(data, cls, namespace, "$", found)
    elif hasattr(cls, "from_map"):
        _walk_tea(data, cls, "$", found)
    else:
        raise AssertionError(f"{cls!r} is neither a swagger nor a Tea model")
    return sorted(set(found))


def check(data, cls, allowed=None, namespace=None):
    """Fails on a declared key the answer lacks, unless `allowed` names it (`Model.key` ->
    reason). Returns the declared keys that were missing (allowed ones), so that a test
    can check that every allowed key is still left out somewhere."""
    allowed = allowed or {}
    found = missing_keys(data, cls, namespace)
    unexplained = [(k, where) for k, where in found if k not in allowed]
    assert not unexplained, f"{cls.__name__}: keys of the SDK model missing from the answer: {unexplained}"
    return {k for k, _ in found}
