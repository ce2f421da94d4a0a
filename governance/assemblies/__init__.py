"""assemblies domain."""
