"""Yingji (应急): an open smart emergency-management platform."""
