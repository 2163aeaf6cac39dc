"""The checks of a dataset, in layers, each reported against the YAML file and line:
`records` (layer 2, JSON Schema), `references` (layer 3), `shacl` (layer 4); `report` holds
their problems and renders them. Layer 1 (YAML syntax) is the loader's."""
