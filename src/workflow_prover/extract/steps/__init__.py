"""Steps: the actions of the workflow, each with its kind (read or write) and its services."""
