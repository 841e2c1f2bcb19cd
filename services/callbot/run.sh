#!/bin/sh
# Answers one call: prints the prompt set it would use.
echo "callbot ready with $(cat /app/PROMPT_COUNT) prompts"
exec cat /app/prompts.txt
