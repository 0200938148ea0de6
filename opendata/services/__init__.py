"""The open data of the manual: case records, their dumps, codebook and catalogue (docs/open-data.md)."""
