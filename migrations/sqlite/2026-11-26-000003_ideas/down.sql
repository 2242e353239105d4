DROP TABLE idea_comments;
DROP TABLE idea_votes;
DROP TABLE idea_events;
DROP TABLE idea_coauthors;
DROP TABLE idea_dimensions;
DROP TABLE idea_cycles;
DROP TABLE ideas;
