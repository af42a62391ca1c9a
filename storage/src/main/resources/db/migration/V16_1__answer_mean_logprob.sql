-- The mean log-probability of the answer's generated tokens, where the engine gives it (the embedded engine always;
-- an OpenAI-compatible server when it returns logprobs): the review queue's "low confidence" signal. NULL = unknown.
ALTER TABLE answer ADD COLUMN mean_logprob REAL;
