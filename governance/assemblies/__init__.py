"""Assemblies: convening, agenda, attendance, mandates (proxies), the frozen voter roll."""
