"""The performance benchmark: a synthetic national-scale database and a load run against it."""
