//! Fake-clock tests of the Call machine.
