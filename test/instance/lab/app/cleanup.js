// The nightly job: notes that it ran.
console.log(`cleanup ran at ${new Date().toISOString()}`);
