"""Tests of the lab room: a package, so that its test_api.py and other rooms' do not clash."""
