#!/bin/sh
echo "coverage is unavailable in an offline build" >&2
exit 1
