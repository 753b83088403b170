"""The doctor's checks, one small module per area; ``registry.py`` orders them."""
