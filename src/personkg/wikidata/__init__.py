"""Talking to Wikidata: `reconcile` finds the items of entities without a QID; `diff`
keeps only the QuickStatements that Wikidata lacks."""
