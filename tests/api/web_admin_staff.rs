//! The administration over HTTP on both backends: units and staff.
