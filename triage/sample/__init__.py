"""Realistic sample helpdesk data: a fictional Dutch municipality's year of IT tickets and KB."""

from triage.sample.generator import SampleData, generate, write_sample

__all__ = ["SampleData", "generate", "write_sample"]
