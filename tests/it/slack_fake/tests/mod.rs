//! The fake proved against slack-morphism.
