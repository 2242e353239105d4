DROP TABLE mail_preferences;
DROP TABLE mail_messages;
