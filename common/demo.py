"""The one way the demo loaders write a row: only what is missing or differs.

Each app's `demo.py` loads its part of the demo site through `demo_row_sync`, so running
`seed_demo` a second time creates nothing and changes nothing, and `tally` can say so.
"""

from collections import Counter


def demo_row_sync(
    model, *, lookup: dict, values: dict, on_create: dict | None = None, tally: Counter
):
    """update_or_create that writes only what differs, so a second run is a true no-op.

    `values` are kept as given on every run; `on_create` only on the first (fields staff
    are expected to change through the site). Counts "<rows> created" / "<rows> updated".
    """
    label = model._meta.verbose_name_plural
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(on_create or {}))
        obj.save()
        tally[f"{label} created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        field_names = {f.name for f in model._meta.concrete_fields}
        extra = ["updated_at"] if "updated_at" in field_names else []
        obj.save(update_fields=[*changed, *extra])
        tally[f"{label} updated"] += 1
    return obj
