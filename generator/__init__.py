"""zhibu: a generator that turns YAML records into a searchable archive site."""
