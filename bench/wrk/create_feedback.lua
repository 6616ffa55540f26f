-- POST /api/v1/feedback: an adult social care complaint.
wrk.method = "POST"
wrk.path = "/api/v1/feedback"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"directorate":"adults","kind":"complaint","procedure":"statutory_adults","stage":1,
"received_on":"2025-06-02","category":"Charging","sub_category":"Outcome of financial assessment",
"summary":"Unhappy with the outcome of a financial assessment.","channel":"email",
"complainant":{"name":"Test Person","relationship":"representative","advocate_assisted":false}}]]
