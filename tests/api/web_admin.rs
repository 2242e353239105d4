//! The administration over HTTP on both backends: questionnaires, rounds, schedule and settings.
