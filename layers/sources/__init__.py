"""Importers, one module per open source (Kartverket, Brønnøysund, Entur, brokers)."""
