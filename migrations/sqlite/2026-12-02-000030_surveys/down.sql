DROP TABLE survey_candidates;
DROP TABLE survey_hits;
DROP TABLE survey_responses;
DROP TABLE survey_campaign_venues;
DROP TABLE survey_campaigns;
DROP TABLE questionnaire_versions;
DROP TABLE questionnaires;
