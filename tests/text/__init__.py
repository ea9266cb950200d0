"""Tests of the text room: a package, so that its test_api.py and other rooms' do not clash."""
