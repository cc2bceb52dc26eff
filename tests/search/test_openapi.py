"""The OpenAPI fragment describes exactly the parameters the searches read."""

from pathlib import Path

import yaml

from tests.search.test_garbage import PARAMS

FRAGMENT = Path(__file__).resolve().parents[2] / "app" / "search" / "openapi.yaml"


def test_every_parameter_is_documented_and_nothing_else():
    document = yaml.safe_load(FRAGMENT.read_text())
    shared = document["components"]["parameters"]
    for kind, names in PARAMS.items():
        operation = document["paths"][f"/search/{kind}"]["get"]
        documented = set()
        for parameter in operation["parameters"]:
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
            documented.add(parameter["name"])
        assert documented == set(names), kind
        assert {"200", "401", "422"} <= set(operation["responses"])
