//! Tests of the Pager machine.
