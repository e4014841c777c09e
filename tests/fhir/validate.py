#!/usr/bin/env python3
"""Validates FHIR R4 Bundles and single resources (JSON files) with the `fhir.resources` 6.4.0
models.

usage: validate.py FILE.json [FILE.json ...]

A file that is not a Bundle (a Questionnaire, a QuestionnaireResponse, ...) must parse by its own
class, with no unknown fields, and every coded element with a required binding must hold one of
its codes. For each Bundle:
  - it must parse as `fhir.resources.bundle.Bundle` (R4: cardinalities, data types, regexes of
    ids, dates and codes, no unknown fields), and every entry's resource again by its own class
    (Patient, RelatedPerson, ...);
  - every coded element with a required binding must hold one of its codes (the models know the
    codes, as `enum_values`, but do not check them: e.g. CareTeam.status "actief" would pass;
    a list the models cut short with "+" is not checked);
  - every entry has a `fullUrl` `urn:uuid:<id>` equal to its resource's id, no two the same, and
    every `urn:uuid:` reference points at an entry of the bundle.

Prints each problem and exits 1 if there is any (2 for a usage error); prints one OK line
otherwise. Run it with the interpreter of the venv that scripts/install-test-tools makes.
"""

import json
import sys
from collections import Counter

try:
    import fhir.resources
    from fhir.resources import get_fhir_model_class
    from fhir.resources.bundle import Bundle
    from fhir.resources.core.fhirabstractmodel import FHIRAbstractModel
except ImportError as e:  # pragma: no cover - the venv is broken
    print(f"validate.py: cannot import fhir.resources ({e}); run scripts/install-test-tools",
          file=sys.stderr)
    sys.exit(2)

EXPECTED_FHIR = "4.0.1"
# Counted per file that is a Bundle (not a resource type: it has a space).
BUNDLE_MARK = " bundle"


def required_codes(model, path, problems, skip=()):
    """Walks a parsed model and checks every element that carries `enum_values`; fields named
    in `skip` are not entered."""
    for field in model.__fields__.values():
        value = getattr(model, field.name, None)
        name = field.alias or field.name
        if value is None or name in skip:
            continue
        allowed = field.field_info.extra.get("enum_values")
        # A long code list is cut short in the models and ends in "+" (e.g.
        # Questionnaire.item.type stops at "dateTime"): it cannot be checked here.
        if allowed and "+" in allowed:
            allowed = None
        values = value if isinstance(value, list) else [value]
        for i, v in enumerate(values):
            where = f"{path}.{name}" + (f"[{i}]" if isinstance(value, list) else "")
            if allowed and isinstance(v, str) and v not in allowed:
                problems.append(f"{where}: {v!r} is not one of {allowed}")
            if isinstance(v, FHIRAbstractModel):
                required_codes(v, where, problems, skip)


def indent(error):
    """A (multi-line) pydantic error, indented under its list item."""
    return str(error).replace("\n", "\n      ")


def references(value, path, out):
    """Collects (path, reference) for every `reference` string in raw JSON."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "reference" and isinstance(v, str):
                out.append((path, v))
            else:
                references(v, f"{path}.{k}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            references(v, f"{path}[{i}]", out)


def validate_resource(raw, kinds):
    """One resource that is not a Bundle: returns (problems, Counter of resource types)."""
    problems = []
    kind = raw["resourceType"]
    kinds[kind] += 1
    try:
        model = get_fhir_model_class(kind).parse_obj(raw)
    except KeyError:
        return [f"unknown resourceType {kind!r}"], kinds
    except Exception as e:
        return [f"{kind}: {indent(e)}"], kinds
    required_codes(model, kind, problems)
    return problems, kinds


def validate(file_name):
    """Returns (problems, Counter of resource types)."""
    problems = []
    kinds = Counter()
    try:
        with open(file_name, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        return [f"cannot read JSON: {e}"], kinds
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        return ["not a FHIR resource (no resourceType)"], kinds
    if raw.get("resourceType") != "Bundle":
        return validate_resource(raw, kinds)
    kinds[BUNDLE_MARK] += 1

    # The whole Bundle, entries included (its errors name the entry: entry -> 1 -> resource -> ...).
    try:
        bundle = Bundle.parse_obj(raw)
    except Exception as e:  # pydantic.ValidationError and friends
        bundle_ok = False
        problems.append(f"Bundle: {indent(e)}")
    else:
        bundle_ok = True
        required_codes(bundle, "Bundle", problems, skip={"resource"})

    entries = raw.get("entry") or []
    urls = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        full_url = entry.get("fullUrl")
        resource = entry.get("resource") if isinstance(entry.get("resource"), dict) else {}
        rid = resource.get("id")
        where = f"Bundle.entry[{i}]({resource.get('resourceType')})"
        if not rid:
            problems.append(f"{where}: no id")
        elif full_url != f"urn:uuid:{rid}":
            problems.append(f"{where}: fullUrl {full_url!r} is not urn:uuid:{rid}")
        if full_url in urls:
            problems.append(f"{where}: fullUrl {full_url!r} appears twice")
        urls.add(full_url)

    # Every entry's resource again, by its own class (errors already reported for the whole
    # Bundle are not repeated).
    for i, entry in enumerate(entries):
        where = f"Bundle.entry[{i}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            problems.append(f"{where}: no resource")
            continue
        kind = resource.get("resourceType")
        kinds[str(kind)] += 1
        where = f"{where}({kind})"
        try:
            model = get_fhir_model_class(kind).parse_obj(resource)
        except KeyError:
            problems.append(f"{where}: unknown resourceType {kind!r}")
            continue
        except Exception as e:
            if bundle_ok:
                problems.append(f"{where}: {indent(e)}")
            continue
        required_codes(model, where, problems)

    refs = []
    references(raw, "Bundle", refs)
    for path, ref in refs:
        if ref.startswith("urn:uuid:") and ref not in urls:
            problems.append(f"{path}: {ref} resolves to no entry")
    return problems, kinds


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if fhir.resources.__fhir_version__ != EXPECTED_FHIR:
        print(f"validate.py: fhir.resources speaks FHIR {fhir.resources.__fhir_version__}, "
              f"not {EXPECTED_FHIR} (R4)", file=sys.stderr)
        return 2
    failed = 0
    total = Counter()
    bundles = 0
    for file_name in argv[1:]:
        problems, kinds = validate(file_name)
        bundles += kinds.pop(BUNDLE_MARK, 0)
        total.update(kinds)
        if problems:
            failed += 1
            print(f"{file_name}: INVALID ({len(problems)} problem(s))")
            for p in problems:
                print(f"  - {p}")
    if failed:
        print(f"FHIR R4 validation failed: {failed} of {len(argv) - 1} file(s) invalid")
        return 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(total.items()))
    what = "bundle(s)" if bundles == len(argv) - 1 else "file(s)"
    print(f"OK: {len(argv) - 1} {what} valid FHIR R4 "
          f"(fhir.resources {fhir.resources.__version__}): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
