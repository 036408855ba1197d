"""The govproj services, one package per responsible authority."""
