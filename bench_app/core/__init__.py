"""The headless core of the bench. Nothing below this package imports Qt or TensorFlow."""
