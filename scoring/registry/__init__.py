"""The registry: places, people, bands and claims, loaded from a data set and read back."""
