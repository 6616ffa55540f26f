DROP TABLE feedback;
DROP TABLE calendar_state;
DROP TABLE bank_holidays;
