"""The registry: places, people, bands and claims, loaded from a data set (`load`) and read back:
the API's listings (`queries`) and the claims the rule engines read (`claims`)."""
