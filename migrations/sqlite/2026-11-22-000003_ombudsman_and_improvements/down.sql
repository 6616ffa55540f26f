DROP TABLE service_improvements;
DROP TABLE ombudsman_recommendations;
DROP TABLE ombudsman_information_requests;
DROP TABLE ombudsman_cases;
