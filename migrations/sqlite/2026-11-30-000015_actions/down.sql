DROP TABLE actions;
