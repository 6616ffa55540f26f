-- Filtered list pages with totals, as a caseworker or analyst would ask.
local pages = {
  "/api/v1/feedback?directorate=adults&kind=complaint&received_from=2024-04-01&received_to=2025-03-31&sort=-received_on&limit=50",
  "/api/v1/feedback?directorate=children&status=open&sort=-received_on&limit=50",
  "/api/v1/feedback?kind=mp_enquiry&responded_from=2023-04-01&responded_to=2024-03-31&limit=50&offset=100",
  "/api/v1/feedback?directorate=corporate&overdue=true&sort=due_on&limit=50",
  "/api/v1/feedback?directorate=adults&kind=senior_manager_review&outcome=upheld&limit=50",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", pages[(i % #pages) + 1])
end
