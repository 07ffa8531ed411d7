"""The API's contract, kept apart from the tables: one module of request and response schemas per resource.

Every response schema is built from scoring's view objects with `model_validate(view)` (`OutModel` reads
attributes), so a router maps no field by hand; labels derived from a value are computed fields.
"""
